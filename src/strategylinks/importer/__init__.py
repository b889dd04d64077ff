"""Import action plans from the documents analysts have (text export, Word, spreadsheet) into RDF."""
