"""The interfaces every store implements, and the rules they share."""
