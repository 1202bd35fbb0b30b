"""The lookup engine: from what a cashier types to a ranked list of customer ids.

Tiers, best first; a tier runs only while the result list is not full, and tiers 3 and 4 (the
costly ones) only while it holds fewer than FALLBACK_BELOW customers:
  0. exact identifiers: account number, e-mail, phone (any format), tax ID
  1. name: every word typed is a whole word of the name (any order)
  2. start: every word starts a name word; or the start of an e-mail or account number, or the
     last digits of a phone
  3. part: every word (three letters or more) occurs inside the name
  4. similar: words of five letters or more may carry one typo (one letter wrong, missing, extra,
     or two swapped), found through the deletion-neighbourhood table; so a four-letter word typed
     may be a five-letter one with a letter missing ("hary" for "harry")
A query with "@" is an e-mail (tiers 0 and its start only); a phone-like one (digits and what people
type between them) looks only at identifiers and at starts of account numbers and of phones' last
digits, never inside names. A query with "@" or a digit ends once an identifier matched it whole.
Within a tier customers come in name order. Several words are first tried as a full name (one
range of the sort-name index per word order). Every query is plain SQL with bound parameters over
indexed columns; only the "part" tier differs per engine (FTS5 trigram on SQLite, pg_trgm on
PostgreSQL). The same code serves the offline till cache, whose SQLite file has the same tables.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

from patron.core.db import PLANNED_FOR_ITS_VALUES
from patron.core.normalize import InvalidValue, blank_controls, fold, normalize_phone, phone_digits

QUERY_MAX = 200
TYPO_MIN_LENGTH = 5
# Look inside words and at other spellings only when the earlier tiers found fewer customers than
# this: they are the costly tiers, and a cashier who typed an exact name wants that customer.
FALLBACK_BELOW = 5
# Name entries a second look at several words may walk once the full name typed matched (words
# elsewhere in a name, or starting longer words): each entry is an index probe, and beyond a few
# hundred the walk cost more than the rest of the lookup for a few extra, lower-ranked customers.
WALK_BUDGET = 300
EMAIL_START_WINDOW = 1000  # e-mails in order a start of one looks at (the till shows 20 customers)
COUNT_CAP = 2001  # words are counted up to here: enough to order them and to judge a walk
VISIBLE_AT_TILL = ("prospect", "active", "credit_hold")
_WORD = re.compile(r"[^\W_]+")
_PHONE_LIKE = re.compile(r"^[\d\s()+./-]+$")
_HIGH = "\U0010ffff"  # sorts after every character: "abc" <= x < "abc" + _HIGH means "x starts with abc"


class QueryTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    """Which customers a lookup may return: at the till only those it may serve (by status, and
    by location groups covering the terminal's store); in the back office any. ``groups`` is a
    SELECT of location group ids and its parameters (one must be the customer's), run inside the
    lookup's own statements. ``region``: the country a typed national phone number is read in,
    the calling store's (``customers.regions``); blank for the installation's default."""

    till: bool = False
    groups: tuple[str, list] | None = None
    region: str = ""


class WordCounts:
    """How many name entries common words have, remembered for a while by a server's processes:
    counting "maria" among a million names reads thousands of index entries, on every lookup."""

    def __init__(self, seconds: float = 600, size: int = 20_000):
        self.seconds, self.size = seconds, size
        self._counts: dict[tuple, tuple[int, float]] = {}

    def get(self, key: tuple) -> int | None:
        found = self._counts.get(key)
        if found is None or time.monotonic() - found[1] > self.seconds:
            return None
        return found[0]

    def put(self, key: tuple, count: int) -> None:
        if len(self._counts) >= self.size:
            self._counts.clear()
        self._counts[key] = (count, time.monotonic())


@dataclass(frozen=True)
class Hit:
    customer_id: int
    rank: int
    matched_on: str


@dataclass
class Select:
    """A SELECT of customer ids put together from parts, so scope conditions can be added."""

    source: str
    id_column: str
    till_condition: str  # what "the till may serve this customer" is in this select
    joins: list[str] = field(default_factory=list)
    join_params: list = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    order_by: str = ""
    sort_after: str = ""  # a column to order the fetched rows by, instead of an ORDER BY
    joins_words: bool = False  # joins the name entries of several words: to be joined in the order written
    planned_for_its_values: bool = False  # a plan made without the values would be poor (PostgreSQL)
    finds_full_name: bool = False  # a customer it finds new bears the full name typed (no fallbacks then)

    def add(self, condition: str, *params) -> Select:
        self.where.append(condition)
        self.params.extend(params)
        return self

    def join(self, table: str, condition: str, params: list) -> None:
        # CROSS JOIN keeps SQLite from reordering: the first table is the one chosen to walk.
        # (The engine turns it into a plain JOIN for PostgreSQL, whose planner has statistics.)
        self.joins.append(f"CROSS JOIN {table} ON {condition}")
        self.join_params.extend(params)

    def last_joined_id(self) -> str:
        """The customer id of the last word joined (the same customer as ``id_column``): a check
        written on it is made once the words matched, not for every entry the first word walks
        (SQLite checks a condition at the loop of the last table it names; the store's scope on
        the first word's 4,500 entries of "sara" doubled a typo lookup's time)."""
        return f"t{len(self.joins)}.customer_id" if self.joins_words else self.id_column

    def sql(self, limit: int) -> tuple[str, list]:
        columns = f"{self.id_column} AS id, {self.sort_after or 'NULL'} AS sort_value"
        text = f"SELECT {columns} FROM {' '.join([self.source, *self.joins])}"
        if self.where:
            text += f" WHERE {' AND '.join(self.where)}"
        if self.order_by:
            text += f" ORDER BY {self.order_by}"
        return text + f" LIMIT {int(limit)}", [*self.join_params, *self.params]


class Engine:
    """Lookups over a DB-API cursor whose driver takes %s placeholders (Django's cursor does)."""

    def __init__(self, cursor, vendor: str, word_counts: WordCounts | None = None):
        self.cursor = cursor
        self.vendor = vendor
        self.word_counts = word_counts
        self.full_name_found = False
        self.joins_in_order = False  # PostgreSQL's join_collapse_limit set to 1 on this cursor

    def find(self, query: str, scope: Scope, limit: int = 20, shown: str | None = None) -> list[Hit]:
        """The customers ``query`` finds in ``scope``, best first. ``shown`` (PostgreSQL): a SELECT
        of what a page shows of a customer ``c`` (the customer's id first, no WHERE); the lookup's
        statements then also return it for the rows that may fill the page, in ``self.shown`` by
        customer id (raw values), which saves the page's read its own round trip."""
        if len(query) > QUERY_MAX:
            raise QueryTooLong(f"Type at most {QUERY_MAX} characters.")
        self._shown_select = shown if self.vendor == "postgresql" else None  # SQLite has no round trip to save
        self.shown: dict[int, tuple] = {}
        query = blank_controls(query).strip()
        words = _WORD.findall(fold(query))
        if not query:
            return []
        tiers = (self._identifiers, self._whole_words, self._starts, self._parts, self._similar)
        if "@" in query:  # an e-mail address, whole or its start: not a name
            tiers = (self._identifiers, self._email_start)
        elif _is_phone_like(query):  # digits are not looked for in names, nor forgiven a typo
            tiers = (self._identifiers, self._starts)
        # An e-mail address, phone number, account number or tax ID matched whole is the customer
        # meant; the other tiers would find it again, or names that merely contain its digits.
        self._identifier_is_enough = "@" in query or any(character.isdigit() for character in query)
        self._hits: dict[int, Hit] = {}
        self._limit, self._scope = limit, scope
        self.full_name_found = False
        self._counted: dict[tuple, int] = {}  # this lookup's counts, with or without word_counts
        # The cheap tiers' selects wait and run as one statement (a round trip each cost more than
        # most of them); a tier that must see what came before runs them first (``_settle``).
        self._waiting: list[Step] = []
        for tier in tiers:
            if tier in (self._parts, self._similar):  # costly: only if what waits leaves room
                self._settle()
            if not self._worth_running(tier):
                break
            selects = tier(query, words)
            if tier == self._whole_words and _may_be_full_name(words):
                # The full name typed is looked for first: whether it was found decides the rest.
                full_names = _as_steps(next(selects))
                found = self._take(self._waiting + full_names, asked=len(full_names))
                self._waiting = []
                if not self._worth_running(tier):
                    continue
                selects = _resumed(selects, found)
            new = [step for steps in selects for step in _as_steps(steps)]  # a tier may settle what waits
            self._waiting.extend(new)
        self._settle()
        return list(self._hits.values())

    def _settle(self) -> None:
        """Run the selects waiting, now."""
        waiting, self._waiting = self._waiting, []
        self._take(waiting)

    def _worth_running(self, tier) -> bool:
        """Whether a tier may still add anyone, judged on the customers found so far."""
        hits = self._hits
        if len(hits) >= self._limit:
            return False
        # The costly fallbacks, only for few results, and not once the name typed in full was
        # found (parts of other names and other spellings are noise then).
        if tier in (self._parts, self._similar) and (len(hits) >= FALLBACK_BELOW or self.full_name_found):
            return False
        return not (hits and self._identifier_is_enough and tier != self._identifiers)

    def _take(self, steps: list[Step], asked: int = 0) -> bool:
        """Run the steps' selects as one statement and add what they found, in order; whether the
        last ``asked`` steps (all of them if 0) found anyone new."""
        if not steps:
            return False
        hits, limit = self._hits, self._limit
        first_asked = len(steps) - (asked or len(steps))
        asked_found = False
        for index, ((select, rank, matched_on), customer_ids) in enumerate(
                zip(steps, self._run([step[0] for step in steps]), strict=True)):
            if hits and self._identifier_is_enough and rank > 0:
                break  # an identifier matched whole (a tier run together with it was a guess)
            before = len(hits)
            for customer_id in customer_ids:
                if customer_id not in hits and len(hits) < limit:
                    hits[customer_id] = Hit(customer_id, rank, matched_on)
            found = len(hits) > before
            self.full_name_found |= found and select.finds_full_name
            asked_found |= found and index >= first_asked
        return asked_found

    # --- the tiers: each yields (select, rank, what matched) ------------------------------------

    def _identifiers(self, query: str, words: list[str]):
        lowered = query.lower()
        yield _customers().add("lower(c.account_number) = %s", lowered), 0, "account number"
        if "@" in query:
            yield _emails().add("e.address_key = %s", lowered), 0, "e-mail"
        e164 = _as_phone(query, self._scope.region)
        if e164:
            yield _phones().add("p.e164 = %s", e164), 0, "phone"
        compact = re.sub(r"[\s.\-/]", "", query).upper()
        if len(compact) >= 5 and any(ch.isdigit() for ch in compact):
            ids = [compact, compact[2:]] if compact[:2].isalpha() else [compact]
            yield _customers().add(f"c.tax_id IN ({_marks(ids)})", *ids), 0, "tax ID"

    def _whole_words(self, query: str, words: list[str]):
        if _may_be_full_name(words):
            found_by_full_name = yield [(select, 1, "name") for select in self._full_names(words)]
            self.full_name_found = found_by_full_name
            ordered = self._rarest_first(words)
            # Words elsewhere in the name ("anna" of "Anna-Lena Schmidt"): worth walking the rarest
            # word's entries unless the full name found someone and that walk would be long.
            if found_by_full_name and self._capped_count(*_word_condition(ordered[0])) > WALK_BUDGET:
                return
            # Several words, each a whole word of one name (a company's, a name typed without its
            # accents): that is a full name found too, and looking inside words would be noise.
            # One word typed twice ("anna anna") is only that word.
            select = _terms(ordered, prefix=False)
            select.finds_full_name = len(ordered) > 1
            yield select, 1, "name"
        elif words:
            yield _terms(words, prefix=False), 1, "name"

    def _full_names(self, words: list[str]):
        """The common case of several words, a full name as "anna schmidt" or "schmidt anna":
        customers whose sort name (last name first) is those words, in an order people type them,
        maybe followed by more words. One range of the sort-name index per order."""
        column = 'c.sort_name COLLATE "C"' if self.vendor == "postgresql" else "c.sort_name"
        for name in dict.fromkeys(" ".join(order) for order in (words, words[1:] + words[:1], words[-1:] + words[:-1])):
            select = _customers().add(f"{column} >= %s AND {column} < %s AND ({column} = %s OR {column} >= %s)",
                                      name, f"{name} {_HIGH}", name, f"{name} ")
            select.sort_after = "c.sort_name"
            yield select

    def _rarest_first(self, words: list[str]) -> list[str]:
        """The words, the one with the fewest name entries first: the query walks its entries and
        checks the others for each."""
        unique = list(dict.fromkeys(words))
        if len(unique) == 1:
            return unique
        # The words' starts are counted along: the next tier orders them so, most of the time.
        counted = self._capped_counts([*map(_word_condition, unique), *map(_start_condition, unique)])
        counts = dict(zip(unique, counted[:len(unique)], strict=True))
        return sorted(unique, key=lambda word: (counts[word], -len(word)))

    def _starts(self, query: str, words: list[str]):
        phone_like = _is_phone_like(query)
        if words and not phone_like:
            unique = list(dict.fromkeys(words))
            walk = 0  # a full name is only found for several words, and then it is counted
            if len(unique) > 1:  # the rarest start first: it is the one walked
                counts = dict(zip(unique, self._capped_counts([_start_condition(word) for word in unique]),
                                  strict=True))
                unique.sort(key=lambda word: (counts[word], -len(word)))
                walk = counts[unique[0]]
                if walk > WALK_BUDGET and not self.full_name_found:
                    self._settle()  # the walk is long: only worth it if the whole words found no full name
                    if len(self._hits) >= self._limit:
                        return
            if not (self.full_name_found and walk > WALK_BUDGET):
                yield _terms(unique, prefix=True), 2, "name (start)"
        lowered = query.lower()
        if " " not in lowered:
            select = _customers().add("lower(c.account_number) >= %s AND lower(c.account_number) < %s",
                                      lowered, _after_prefix(lowered))
            select.order_by = "lower(c.account_number)"
            yield select, 2, "account number (start)"
        if not phone_like:
            yield from self._email_start(query, words)
        else:
            tail = phone_digits(query)[::-1]  # the last digits typed, read backwards, start the reversed number
            select = _phones().add("p.digits_reversed >= %s AND p.digits_reversed < %s", tail, _after_prefix(tail))
            select.order_by = "p.digits_reversed"  # the index's order: the same customers whatever the plan
            yield select, 2, "phone (last digits)"

    def _email_start(self, query: str, words: list[str]):
        lowered = query.lower()
        if len(lowered) >= 3 and " " not in lowered:
            # E-mails in order from the start typed, no further than the first EMAIL_START_WINDOW
            # of them (the bound is the key just after the window, one short walk of the index):
            # fetching that window first and sorting it after the scope cost 5-25 ms for "bri"
            # among a million, walking in order and stopping at the LIMIT costs under 2.
            after = _after_prefix(lowered)
            select = Select("customers_customeremail e", "e.customer_id", _STATUS_AT_TILL)
            select.join("customers_customer c", "c.id = e.customer_id", [])
            select.add("e.address_key >= %s AND e.address_key < coalesce((SELECT address_key FROM "
                       "customers_customeremail WHERE address_key >= %s AND address_key < %s ORDER BY address_key "
                       "LIMIT 1 OFFSET %s), %s)", lowered, lowered, after, EMAIL_START_WINDOW, after)
            select.order_by = "e.address_key"
            yield select, 2, "e-mail (start)"

    def _parts(self, query: str, words: list[str]):
        if not words or any(len(word) < 3 for word in words):
            return
        if self.vendor == "sqlite":
            select = Select("customers_name_fts f JOIN customers_customer c ON c.id = f.rowid", "c.id",
                            _STATUS_AT_TILL)
            select.add("customers_name_fts MATCH %s", " ".join(f'"{word}"' for word in words))  # letters/digits only
        else:
            select = _customers()
            for word in words:
                select.add("c.sort_name LIKE %s", f"%{word}%")
            select.planned_for_its_values = True  # a generic plan walked a million names for a rare part
        # No ORDER BY: a three-letter part can be inside a fifth of all names, and sorting them all
        # would cost more than the whole lookup; the first matches found are put in name order.
        select.sort_after = "c.sort_name"
        yield select, 3, "name (part)"

    def _similar(self, query: str, words: list[str]):
        spellings = self._spellings([word for word in words if len(word) >= TYPO_MIN_LENGTH - 1])
        long_words = [word for word in spellings if len(word) >= TYPO_MIN_LENGTH]
        typo_found = any(set(found) - {word} for word, found in spellings.items())
        if not typo_found or not all(spellings[word] for word in long_words):
            return
        # Words typed as they are spelt in some name most likely are: first the names that keep
        # them and differ only where the typo is ("andrew waljton": Andrew Walton before Andre
        # Walton), then every spelling of every word.
        kept = {word: [word] if word in found else found for word, found in spellings.items()}
        if kept != spellings and any(kept[word] != [word] for word in kept):
            yield self._similar_select(words, kept), 4, "name (similar spelling)"
        yield self._similar_select(words, spellings), 4, "name (similar spelling)"

    def _similar_select(self, words: list[str], spellings: dict[str, list[str]]) -> Select:
        alternatives = {word: _similar_conditions(word, spellings.get(word, []), self.vendor)
                        for word in dict.fromkeys(words)}
        conditions = {word: _any_of(each) for word, each in alternatives.items()}
        select = _term_select("t0.sort_key")
        # The rarest first; among words too common to count, the one with the fewest spellings (a
        # short word's range of words starting with it counts as more than any list of spellings).
        # Each alternative is counted on its own: counting an OR read the table's rows (5-11 ms for
        # "leon" among a million), each alone is a walk of the index.
        counted = iter(self._capped_counts([condition for each in alternatives.values() for condition in each]))
        counts = {word: min(COUNT_CAP, sum(next(counted) for _ in each)) for word, each in alternatives.items()}
        rarest_first = sorted(conditions, key=lambda word: (
            counts[word], len(spellings.get(word, [])) if len(word) >= TYPO_MIN_LENGTH else COUNT_CAP))
        for index, word in enumerate(rarest_first):
            condition, params = conditions[word]
            _join_term(select, index, condition.replace("term", f"t{index}.term"), params)
        return select

    def _capped_count(self, condition: str, params: list) -> int:
        return self._capped_counts([(condition, params)])[0]

    def _capped_counts(self, conditions: list[tuple[str, list]]) -> list[int]:
        """How many name entries meet each condition, counting no further than COUNT_CAP (it only
        orders the words and decides whether a walk is worth it, so a recent count will do); the
        counts not remembered in one statement."""
        # an array parameter (PostgreSQL) is remembered by its values
        keys = [(condition, tuple(tuple(param) if isinstance(param, list) else param for param in params))
                for condition, params in conditions]
        params_of = dict(zip(keys, (params for _, params in conditions), strict=True))
        known = {key: self._counted.get(key, self.word_counts.get(key) if self.word_counts is not None else None)
                 for key in keys}
        unknown = [key for key, count in known.items() if count is None]
        if unknown:
            self.cursor.execute("SELECT " + ", ".join(
                f"(SELECT count(*) FROM (SELECT 1 FROM customers_searchterm WHERE {condition} LIMIT {COUNT_CAP}) "
                f"AS capped{index})" for index, (condition, _) in enumerate(unknown)),
                [param for key in unknown for param in params_of[key]])
            for key, count in zip(unknown, self.cursor.fetchall()[0], strict=True):
                known[key] = self._counted[key] = count
                if self.word_counts is not None:
                    self.word_counts.put(key, count)
        return [known[key] for key in keys]

    def _spellings(self, words: list[str]) -> dict[str, list[str]]:
        """Each word's known name words at most one typo away (itself included when known), where
        the word or the typed one has five letters or more: "hary" may be "harry", never "hay"."""
        keys = {word: [word] + [word[:i] + word[i + 1:] for i in range(len(word))] for word in dict.fromkeys(words)}
        every = list(dict.fromkeys(key for word_keys in keys.values() for key in word_keys))
        terms_of: dict[str, set[str]] = {}
        if every:
            condition, params = one_of("variant", every, self.vendor)
            self.cursor.execute(f"SELECT variant, term FROM customers_searchvariant WHERE {condition}", params)
            for variant, term in self.cursor.fetchall():
                terms_of.setdefault(variant, set()).add(term)
        return {word: sorted(term for term in set().union(*(terms_of.get(key, ()) for key in word_keys))
                             if term == word or (OSA.distance(term, word) <= 1
                                                 and max(len(term), len(word)) >= TYPO_MIN_LENGTH))
                for word, word_keys in keys.items()}

    # --- running a select with the scope --------------------------------------------------------

    def _run(self, selects: list[Select]) -> list[list[int]]:
        """The customer ids each select finds, the selects run as one statement (UNION ALL of
        each select's own ordered and limited rows, which both engines return in the order
        written) and in the scope."""
        scoped = [self._scoped(select) for select in selects]
        if len(scoped) == 1:
            sql, params = scoped[0]
        else:
            sql = " UNION ALL ".join(f"SELECT {index} AS part, found.* FROM ({text}) AS found"
                                     for index, (text, _) in enumerate(scoped))
            params = [param for _, select_params in scoped for param in select_params]
        width = 3 if len(scoped) > 1 else 2  # (part,) id, sort value
        if self.vendor == "postgresql":
            self._join_in_written_order(selects)
            sql = sql.replace(" CROSS JOIN ", " JOIN ")
            if self._shown_select:
                sql, params = self._with_shown(sql, params)
            if any(select.planned_for_its_values for select in selects):
                sql = PLANNED_FOR_ITS_VALUES + sql
        self.cursor.execute(sql, params)
        rows = self.cursor.fetchall()
        found: list[list] = [[] for _ in selects]
        for row in rows:
            found[row[0] if width == 3 else 0].append(row[width - 2:width])
            if len(row) > width + 1 and row[width + 1] is not None:
                self.shown[row[width - 2]] = row[width + 1:]
        return [[customer_id for customer_id, _ in (sorted(pairs, key=lambda pair: pair[1]) if select.sort_after
                                                    else pairs)]
                for select, pairs in zip(selects, found, strict=True)]

    def _with_shown(self, sql: str, params: list) -> tuple[str, list]:
        """The statement's rows in their order, each of the first that can still fill the page
        with what the page shows of its customer (a customer found twice, or a row the pick
        passes over, leaves a customer to be read after: the caller reads those). OFFSET 0 keeps
        the planner from flattening the subquery into a join that read every row's customer and
        only then compared its position (3 ms instead of 1 for "john")."""
        room = self._limit - len(self._hits)
        return (f"SELECT found.*, shown.* FROM (SELECT unordered.*, row_number() OVER () AS position FROM ({sql}) "
                f"AS unordered) AS found LEFT JOIN LATERAL ({self._shown_select} WHERE c.id = found.id AND "
                f"found.position <= %s OFFSET 0) AS shown ON true ORDER BY found.position", [*params, room])

    def _scoped(self, select: Select) -> tuple[str, list]:
        scope = self._scope
        if scope.till:
            condition = select.till_condition
            if self.vendor == "sqlite":
                # Most customers are visible: without this hint SQLite's planner, lacking
                # statistics, would walk the status index instead of the search column's.
                condition = f"likelihood({condition}, 0.95)"
            select.add(condition, *(VISIBLE_AT_TILL if "%s" in select.till_condition else ()))
        if scope.groups is not None:
            groups, params = scope.groups
            select.add(f"EXISTS (SELECT 1 FROM customers_customer_location_groups g WHERE g.customer_id = "
                       f"{select.last_joined_id()} AND g.locationgroup_id IN ({groups}))", *params)
        return select.sql(self._limit * 3)  # a customer can match through several words or phones

    def _join_in_written_order(self, selects: list[Select]) -> None:
        """On PostgreSQL, join the name entries of several words in the order written (the rarest
        word first, as SQLite's CROSS JOIN does): searching every order of five words' self-joins
        took the planner 12-42 ms, a hundred times the query itself. Set once, for the
        connection's lookups; ``restore`` puts the planner's default back."""
        if not self.joins_in_order and any(select.joins_words for select in selects):
            self.cursor.execute("SET join_collapse_limit = 1", [])
            self.joins_in_order = True

    def restore(self) -> None:
        if self.joins_in_order:
            self.cursor.execute("RESET join_collapse_limit", [])
            self.joins_in_order = False


Step = tuple["Select", int, str]  # a select, the rank of what it finds, and what matched


def _as_steps(steps) -> list[Step]:
    """A tier yields one step, or several to run together as one."""
    return list(steps) if isinstance(steps, list) else [steps]


_STATUS_AT_TILL = f"c.status IN ({', '.join(['%s'] * len(VISIBLE_AT_TILL))})"


def _customers() -> Select:
    return Select("customers_customer c", "c.id", _STATUS_AT_TILL)


def _emails() -> Select:
    return Select("customers_customeremail e JOIN customers_customer c ON c.id = e.customer_id", "e.customer_id",
                  _STATUS_AT_TILL)


def _phones() -> Select:
    return Select("customers_customerphone p JOIN customers_customer c ON c.id = p.customer_id", "p.customer_id",
                  _STATUS_AT_TILL)


def _term_select(order_by: str) -> Select:
    return Select("customers_searchterm t0", "t0.customer_id", "t0.at_till", order_by=order_by)


def _terms(words: list[str], *, prefix: bool) -> Select:
    """Customers having every word as a whole name word (or as the start of one). The query walks
    the first word's index entries (the caller puts the rarest first) and checks the others per row."""
    ordered = list(dict.fromkeys(words))
    select = _term_select("t0.term, t0.sort_key" if prefix else "t0.sort_key")
    for index, word in enumerate(ordered):
        _join_term(select, index, *_term_condition(f"t{index}", word, prefix=prefix))
    return select


def _word_condition(word: str) -> tuple[str, list]:
    """A name entry is ``word`` (for a count)."""
    return "term = %s", [word]


def _start_condition(word: str) -> tuple[str, list]:
    """A name entry starts with ``word`` (for a count)."""
    return "term >= %s AND term < %s", [word, _after_prefix(word)]


def _may_be_full_name(words: list[str]) -> bool:
    """Several words typed, the same one twice included ("Lee Lee"): the full name is looked for first.
    ``find`` and ``_whole_words`` must agree on it, since the one answers what the other asks."""
    return len(words) > 1


def _resumed(generator, sent):
    """The rest of ``generator``, given ``sent`` as the answer to what it yielded last."""
    try:
        yield generator.send(sent)
    except StopIteration:
        return
    yield from generator


def _join_term(select: Select, index: int, condition: str, params: list) -> None:
    """The first word filters t0; each further word joins the same customer's terms again."""
    if index == 0:
        select.add(condition, *params)
    else:
        select.join(f"customers_searchterm t{index}", f"t{index}.customer_id = t0.customer_id AND {condition}",
                    params)
        select.joins_words = True


def _term_condition(alias: str, word: str, *, prefix: bool) -> tuple[str, list]:
    if prefix:
        return f"{alias}.term >= %s AND {alias}.term < %s", [word, _after_prefix(word)]
    return f"{alias}.term = %s", [word]


def _similar_conditions(word: str, spellings: list[str], vendor: str) -> list[tuple[str, list]]:
    """The conditions a name word meets if it is ``word`` with one typo (any one of them): a word of
    five letters or more is one of its spellings; a shorter one starts a name word, or (four
    letters) is a five-letter word with one letter missing."""
    if len(word) >= TYPO_MIN_LENGTH:
        return [one_of("term", spellings, vendor)]
    start = _start_condition(word)
    others = [spelling for spelling in spellings if not spelling.startswith(word)]  # the range has the rest
    return [start, one_of("term", others, vendor)] if others else [start]


def _any_of(conditions: list[tuple[str, list]]) -> tuple[str, list]:
    """One condition met when any of ``conditions`` is (a plain range walks the index alone; with an
    OR, PostgreSQL also reads the table)."""
    if len(conditions) == 1:
        return conditions[0]
    return f"({' OR '.join(condition for condition, _ in conditions)})", [
        param for _, params in conditions for param in params]


def one_of(column: str, values: list, vendor: str, sql_type: str = "text") -> tuple[str, list]:
    """``column`` is one of ``values``: on PostgreSQL one array parameter, so that the statement's
    text is the same however many values and its prepared plan serves every lookup (a list of
    marks made a new statement per length, prepared and planned afresh: 0.5-1 ms each time);
    SQLite has no arrays, and caches its own statements."""
    if vendor == "postgresql":
        return f"{column} = ANY(%s::{sql_type}[])", [list(values)]
    return f"{column} IN ({_marks(values)})", list(values)


def _after_prefix(prefix: str) -> str:
    """The first string after every string that starts with ``prefix`` (code-point order, as the
    search columns compare): "abc" -> "abd". A bound the planner can estimate, where "abc" followed
    by the highest character makes PostgreSQL guess a handful of rows for thousands."""
    following = ord(prefix[-1]) + 1
    if following > 0x10FFFF or 0xD800 <= following <= 0xDFFF:
        return prefix + _HIGH
    return prefix[:-1] + chr(following)


def _is_phone_like(query: str) -> bool:
    """Four digits or more, with nothing but what people type between the digits of a phone."""
    return len(phone_digits(query)) >= 4 and bool(_PHONE_LIKE.match(query))


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _as_phone(query: str, region: str) -> str | None:
    if not _PHONE_LIKE.match(query) or len(phone_digits(query)) < 6:
        return None
    try:
        return normalize_phone(query, region or None)
    except InvalidValue:
        return None
