from django.db import models


class Thing(models.Model):
    """Data that must survive the plugin being switched off."""

    name = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.name
