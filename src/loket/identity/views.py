"""Login and logout views."""
