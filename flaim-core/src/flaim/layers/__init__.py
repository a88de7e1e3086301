"""Building blocks shared by the family plugins, one concept per module."""
