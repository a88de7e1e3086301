"""flaim plugin: timm's resnet family in Flax."""
