"""Server-rendered pages (French first), light enough for a 2G link, usable without JavaScript."""
