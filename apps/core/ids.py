"""Ids arriving from query strings and form posts: parsed once, the same way everywhere."""

# The largest primary key the databases hold (a signed 64-bit integer); anything beyond it
# would overflow SQLite while looking it up.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A positive database id from user input (str, int or a model instance), or None."""
    value = getattr(value, "pk", value)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None
