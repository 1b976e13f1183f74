"""Question types: the registry, its base class, and the shipped types (imported by ready())."""

from .base import FillContext, QuestionType, question_types, type_of

__all__ = ["FillContext", "QuestionType", "question_types", "type_of"]
