"""The function model: frontend-independent expressions, statements and CFGs."""
