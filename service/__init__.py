"""The office service: the one door for people (#25)."""
