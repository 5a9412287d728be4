"""Adding candidates: by form, or by CSV import with a checked preview."""
