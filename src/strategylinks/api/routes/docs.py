"""The API documentation pages (Swagger UI, ReDoc) from the files fastapi-offline ships, so they load
nothing from a CDN, and marked as English (the OpenAPI descriptions are)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from ..pages import CSP

router = APIRouter(include_in_schema=False)
STATIC = "/static-offline-docs"


def _english(page: HTMLResponse) -> HTMLResponse:
    body = bytes(page.body).replace(b"<html>", b'<html lang="en">', 1)
    return HTMLResponse(body.decode("utf-8"), status_code=page.status_code, headers={"Content-Security-Policy": CSP})


@router.get("/docs")
async def swagger(request: Request) -> HTMLResponse:
    app = request.app
    return _english(
        get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} – API",
            oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
    )


@router.get("/docs/oauth2-redirect")
async def swagger_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    app = request.app
    return _english(
        get_redoc_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} – API",
            redoc_js_url=f"{STATIC}/redoc.standalone.js",
            with_google_fonts=False,
            redoc_favicon_url=f"{STATIC}/favicon.png",
        )
    )
