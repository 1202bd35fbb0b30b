"""The labelled data set of make bench-dedup is what its labels say (no database)."""

from collections import Counter, defaultdict

from bench.dedup_gen import NEGATIVES, VARIATIONS, Generator, typo


def test_the_data_set_has_every_variation_and_hard_negative_with_consistent_labels():
    records = list(Generator(seed=3).records(6000))
    assert 5900 <= len(records) <= 6100
    assert len({record.account for record in records}) == len(records)
    variations = Counter(record.variation for record in records if record.variation)
    assert set(variations) == set(VARIATIONS)
    clusters = defaultdict(list)
    for record in records:
        clusters[record.cluster].append(record)
    for members in clusters.values():
        assert sum(not member.variation for member in members) == 1  # one first entry per person
    negatives = Counter(record.negative for record in records if record.negative)
    assert set(negatives) == set(NEGATIVES) and all(count % 2 == 0 for count in negatives.values())


def test_the_same_seed_gives_the_same_data():
    first = [record.row() for record in Generator(seed=5).records(300)]
    assert first == [record.row() for record in Generator(seed=5).records(300)]


def test_a_typo_is_one_slip():
    import random

    from rapidfuzz.distance import DamerauLevenshtein

    rng = random.Random(1)
    slips = [typo("Schneider", rng) for _ in range(100)]
    assert all(DamerauLevenshtein.distance(slip, "Schneider") <= 1 for slip in slips)
    assert sum(slip != "Schneider" for slip in slips) >= 90
