"""The error `inspect` and `watch` raise about what they were given."""


class InspectError(ValueError):
    """`inspect` or `watch` was given something it cannot read: a model that does not own the
    optimizer's parameters, a malformed parameter group, … Raised before anything is published.
    (An object that is not an optimizer at all raises TypeError.)"""
