"""What a merge does with each kind of record that points at a customer: one table, read by
``merging.actions`` for the merge and the unmerge, and checked by a test that fails when a
foreign key to customers.Customer anywhere has no rule (so a new model is never forgotten).

Rules (after Tryton's party merge, with undo):

- REPOINT: the row moves to the survivor (its foreign key is changed); unmerge moves it back.
- UNITE: like REPOINT, but a row the survivor already has (the same ``same_when`` values) is
  dropped instead; unmerge recreates it as it was.
- BALANCE: an account with a balance (credit, points) stays with its record; the balance moves
  through new entries on both sides (entries are never edited), and moves back on unmerge.
- CONSENT: the consent history is append-only and stays with its record; the survivor gets new
  events only where its state must change, and a withdrawal always wins over a grant.
- REINDEX: the search index of a merged record is emptied, and rebuilt on unmerge.
- KEEP: stays with the record it belongs to (its own history, a privacy request).
"""

from __future__ import annotations

from dataclasses import dataclass

REPOINT = "repoint"
UNITE = "unite"
BALANCE = "balance"
CONSENT = "consent"
REINDEX = "reindex"
KEEP = "keep"


@dataclass(frozen=True)
class Move:
    rule: str
    why: str
    same_when: tuple[str, ...] = ()  # UNITE: the fields that make two rows the same


# "app_label.Model.field" of every foreign key to customers.Customer -> what a merge does with it.
MOVES: dict[str, Move] = {
    "customers.CustomerPhone.customer": Move(UNITE, "one phone number once", ("e164",)),
    "customers.CustomerEmail.customer": Move(UNITE, "one e-mail address once", ("address_key",)),
    "customers.Address.customer": Move(UNITE, "the same address once; a second contact or billing address "
                                              "becomes a shipping address",
                                       ("kind", "line1", "line2", "postal_code", "city", "country")),
    "customers.Contact.customer": Move(REPOINT, "contacts may have bought on the account: sales name them"),
    "customers.Representation.company": Move(UNITE, "a person represents the company once", ("person",)),
    "customers.Representation.person": Move(UNITE, "a person represents a company once", ("company",)),
    "customers.Message.customer": Move(REPOINT, "the communication log"),
    "customers.StatusChange.customer": Move(KEEP, "the record's own status history"),
    "customers.SearchTerm.customer": Move(REINDEX, "a tombstone is never found by name"),
    "customers.Customer.merged_into": Move(KEEP, "merges of merges are followed, not rewritten"),
    "credit.CreditAccount.customer": Move(BALANCE, "ledger entries are never edited"),
    "loyalty.PointsAccount.customer": Move(BALANCE, "points entries are never edited"),
    "marketing.ConsentEvent.customer": Move(CONSENT, "consent events are never edited; a withdrawal wins"),
    "sales.Sale.customer": Move(REPOINT, "sales and returns"),
    "sales.Order.customer": Move(REPOINT, "work orders, backorders, special orders, layaways"),
    "channels.ExternalReference.customer": Move(REPOINT, "a webshop's id of the customer finds the survivor"),
    "channels.Delivery.customer": Move(REPOINT, "the webshop deliveries applied to the customer"),
    "transfer.ImportRow.customer": Move(REPOINT, "import references: which row made or changed the customer"),
    "privacy.PrivacyRequest.customer": Move(KEEP, "a request is the record's own"),
    "merging.Merge.survivor": Move(KEEP, "the merges themselves"),
    "duplicates.DuplicateKey.customer": Move(KEEP, "a tombstone's keys find nobody (only live customers are "
                                                   "compared) and are there again after an unmerge"),
    "duplicates.DuplicatePair.first": Move(KEEP, "the merge closes the pair (duplicates.close_pairs_for_merge)"),
    "duplicates.DuplicatePair.second": Move(KEEP, "the merge closes the pair (duplicates.close_pairs_for_merge)"),
}

# The customer's own many-to-many lists the survivor takes the union of.
UNITED_LISTS = ("tags", "location_groups")


def customer_foreign_keys() -> list[str]:
    """Every foreign key (and one-to-one) to customers.Customer in the installed apps, as MOVES
    names them."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not None \
                    and field.related_model._meta.label == "customers.Customer":
                found.append(f"{model._meta.label}.{field.name}")
    return sorted(found)


def moves_by_rule(*rules: str) -> list[tuple[str, str, Move]]:
    """(model label, field name, move) of the entries with these rules, in table order."""
    chosen = []
    for key, move in MOVES.items():
        if move.rule in rules:
            label, field = key.rsplit(".", 1)
            chosen.append((label, field, move))
    return chosen
