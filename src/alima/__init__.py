"""alima: field health platform."""
