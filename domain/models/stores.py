from tortoise import fields
from tortoise.models import Model


class Store(Model):
    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100)
    address = fields.CharField(max_length=255)
    latitude = fields.FloatField()
    longitude = fields.FloatField()
    service_radius_km = fields.FloatField(default=3.0)
    accepting_orders = fields.BooleanField(default=True)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "store"
