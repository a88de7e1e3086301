"""flaim plugin: timm's convnext family in Flax."""
