"""Customers that put the lookup's tiers side by side, for the tests of every interface."""

from patron.customers.tests.factories import customer_factory

# What "schmidt" finds among ``one_per_tier()``, best first: whole word (two, in name order), start,
# part, one typo; "Bert Jones" is not found.
SCHMIDT_RANKING = [("Anna Schmidt", "name"), ("Karl Schmidt", "name"), ("Joanna Schmidtke", "name (start)"),
                   ("Eva Goldschmidt", "name (part)"), ("Peter Schmitt", "name (similar spelling)")]


def one_per_tier() -> dict:
    """The customers of SCHMIDT_RANKING and one that does not match, by last name then first name,
    created in an order that is none of the rankings."""
    names = [("Peter", "Schmitt"), ("Joanna", "Schmidtke"), ("Karl", "Schmidt"), ("Eva", "Goldschmidt"),
             ("Anna", "Schmidt"), ("Bert", "Jones")]
    return {f"{first} {last}": customer_factory(first_name=first, last_name=last) for first, last in names}
