"""Generated run names, '<adjective>-<noun>-<3 digits>' as MLflow makes them: one generator for every store."""

_ADJECTIVES = (
    "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "dapper", "eager", "fair",
    "gentle", "glad", "golden", "grand", "happy", "honest", "jolly", "keen", "kind", "lively",
    "lucky", "merry", "mighty", "nimble", "noble", "patient", "polite", "proud", "quick", "quiet",
    "rare", "silent", "smart", "sunny", "swift", "tidy", "upbeat", "valiant", "vivid", "witty",
)
_NOUNS = (
    "ant", "badger", "bass", "bear", "bee", "crab", "crane", "deer", "dove", "eel",
    "elk", "finch", "fox", "frog", "gnu", "goat", "hare", "hawk", "heron", "ibis",
    "jay", "koala", "lark", "lion", "lynx", "mole", "moth", "newt", "otter", "owl",
    "panda", "quail", "robin", "seal", "shark", "snail", "swan", "toad", "wolf", "yak",
)


def generate_run_name():
    """A fresh readable name for a run created without one."""
    import random  # only when a name is needed: file-store commands stay lean

    return f"{random.choice(_ADJECTIVES)}-{random.choice(_NOUNS)}-{random.randint(100, 999)}"
