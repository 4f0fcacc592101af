"""Tests of the semantic spec diff (codegen.specdiff)."""
