"""A site for bench/registration_layers.py: the platform with part of a registration as its register view."""

LAYERS = ("hash", "checks", "account", "registration")
