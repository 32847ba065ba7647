"""Coaching: a judged set turned into cues, a load suggestion, and a history."""
