"""helmpy."""
