"""The warning at the moment of entry, for every door that creates customers: the candidates for
what is about to be saved, refusing a strong one when the caller asks, and auditing "create anyway"."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.errors import Conflict
from patron.customers import actions as customer_actions
from patron.customers.models import Customer
from patron.customers.regions import store_country
from patron.duplicates.actions import note_created_anyway, note_saved_anyway
from patron.duplicates.queries import Candidate, candidates_for_values
from patron.duplicates.rules import EVIDENCE


class OnDuplicate:
    """What a creating caller wants when likely duplicates exist."""

    REFUSE = "refuse"  # refuse to create when a STRONG candidate exists (409 likely-duplicate)
    CREATE = "create"  # create anyway; the candidates shown are kept in the audit trail
    CHOICES = (REFUSE, CREATE)


def candidate_summary(candidate: Candidate) -> dict:
    """A candidate as the API and the import report show it (JSON-safe)."""
    customer, match = candidate.customer, candidate.match
    return {"id": str(customer.uuid), "account_number": customer.account_number, "name": customer.name,
            "score": match.score, "strength": "strong" if match.is_strong else "possible",
            "reasons": match.reasons, "reason_codes": [code for code in match.codes if EVIDENCE[code].label]}


class LikelyDuplicate(Conflict):
    """Creation refused: a customer likely the same exists already."""

    code = "likely-duplicate"
    title = "A likely duplicate exists"

    def __init__(self, candidates: list[Candidate]):
        super().__init__(_("A customer that is likely the same exists already: %(name)s (%(reasons)s). "
                           "Use it, or create anyway.") % {"name": candidates[0].customer.name,
                                                           "reasons": candidates[0].match.reasons})
        self.candidates = candidates
        self.extra = {"candidates": [candidate_summary(candidate) for candidate in candidates]}


def candidates_for_entry(actor: Actor, *, kind: str, values: dict, addresses: list[dict] | None = None,
                         customer: Customer | None = None) -> list[Candidate]:
    """The candidates to warn about when ``actor`` saves these values (national phone numbers read
    in the country of the actor's store, as the save reads them)."""
    return candidates_for_values(kind=kind, values=values, addresses=addresses, customer=customer,
                                 store_country=store_country(actor.location_id))


@transaction.atomic
def create_customer_checked(*, actor: Actor, kind: str, values: dict, on_duplicate: str, status: str | None = None,
                            addresses: list[dict] | None = None) -> Customer:
    """``create_customers``'s create_customer, looking for likely duplicates first: with REFUSE a
    strong candidate refuses the creation (LikelyDuplicate); otherwise the customer is created
    and any candidate is named in the audit trail ("create anyway")."""
    candidates = candidates_for_entry(actor, kind=kind, values=values, addresses=addresses)
    if on_duplicate == OnDuplicate.REFUSE and candidates and candidates[0].match.is_strong:
        raise LikelyDuplicate([candidate for candidate in candidates if candidate.match.is_strong])
    customer = customer_actions.create_customer(actor=actor, kind=kind, values=values, status=status,
                                                addresses=addresses)
    note_created_anyway(actor=actor, customer=customer, candidates=candidates)
    return customer


def candidates_for_change(actor: Actor, customer: Customer, values: dict) -> list[Candidate]:
    """Customers the changed record is likely the same as, that the stored record was not: the
    warning is about what this change makes, not about pairs the queue already knows."""
    addresses = [{"kind": address.kind, "postal_code": address.postal_code, "line1": address.line1,
                  "country": address.country} for address in customer.addresses.all()]
    stored = {**{name: getattr(customer, name) for name in ("first_name", "last_name", "name", "birth_date",
                                                            "tax_id", "tax_id_country")},
              "phones": [{"kind": phone.kind, "number": phone.e164} for phone in customer.phones.all()],
              "emails": [{"address": email.address} for email in customer.emails.all()]}
    before = {candidate.customer.pk for candidate in candidates_for_entry(
        actor, kind=customer.kind, customer=customer, values=stored, addresses=addresses)}
    after = candidates_for_entry(actor, kind=customer.kind, customer=customer, values={**stored, **values},
                                 addresses=addresses)
    return [candidate for candidate in after if candidate.customer.pk not in before]


@transaction.atomic
def update_customer_checked(*, actor: Actor, customer: Customer, values: dict, on_duplicate: str,
                            expected_version: int | None = None) -> Customer:
    """``update_customer``, looking first for customers the change makes likely the same: with
    REFUSE a strong one refuses the change (LikelyDuplicate); otherwise it is saved and any
    candidate is named in the audit trail ("save anyway")."""
    candidates = candidates_for_change(actor, customer, values)
    if on_duplicate == OnDuplicate.REFUSE and candidates and candidates[0].match.is_strong:
        raise LikelyDuplicate([candidate for candidate in candidates if candidate.match.is_strong])
    customer = customer_actions.update_customer(actor=actor, customer=customer, values=values,
                                                expected_version=expected_version)
    note_saved_anyway(actor=actor, customer=customer, candidates=candidates)
    return customer
