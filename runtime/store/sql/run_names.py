"""Generated run names of the form <adjective>-<noun>-<3 digits>, as MLflow names unnamed runs."""

import random

_ADJECTIVES = (
    "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "daring", "eager", "fancy",
    "gentle", "glad", "golden", "grand", "happy", "hidden", "honest", "jolly", "keen", "kind",
    "lively", "loyal", "lucky", "mellow", "merry", "mighty", "nimble", "noble", "polite", "proud",
    "quick", "quiet", "rapid", "rare", "silent", "sleek", "smooth", "snappy", "steady", "sunny",
    "swift", "tender", "tidy", "vivid", "warm", "wise", "witty", "zesty",
)
_NOUNS = (
    "ant", "badger", "bass", "bear", "bee", "bird", "carp", "cat", "cod", "colt",
    "crane", "deer", "dove", "eel", "elk", "finch", "fox", "frog", "goat", "hare",
    "hawk", "heron", "horse", "jay", "koala", "lark", "lion", "lynx", "mole", "moth",
    "newt", "otter", "owl", "panda", "perch", "pig", "puma", "ram", "robin", "seal",
    "shark", "sloth", "snail", "squid", "stork", "swan", "toad", "trout", "whale", "wolf",
)


def generate_run_name(rng=random):
    return f"{rng.choice(_ADJECTIVES)}-{rng.choice(_NOUNS)}-{rng.randint(0, 999):03d}"
