"""All Chinese user-facing text, one module per area (common, auth, assessment, ...)."""
