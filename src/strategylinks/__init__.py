"""strategylinks: a knowledge graph of regional action plans and the strategies they serve."""

__version__ = "0.1.0"
