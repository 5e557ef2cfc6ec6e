"""Frontends: C source and its flags in, function models (``kunwind.model``) out."""
