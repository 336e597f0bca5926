"""klearct: validated test cases for competitive-programming problems, for code RL."""

__version__ = "0.1.0"
