"""OpenRosa (ODK Collect, Enketo): XLSForms served as XForms, submissions applied by services."""
