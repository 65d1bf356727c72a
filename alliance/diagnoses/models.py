"""Diagnoses and problem list."""
