"""The command-line machinery: manifest loading, staged parsing, values, dispatch, output."""
