"""Test helpers shared by the suite."""
