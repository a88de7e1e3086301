"""flaim plugin: timm's vit family in Flax."""
