"""Invigilation: the live room panel, interventions, incidents, paper fallback, the record."""
