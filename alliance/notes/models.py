"""Sessions and progress notes."""
