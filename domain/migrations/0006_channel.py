from tortoise import migrations
from tortoise.migrations import operations as ops
from decimal import Decimal
from domain.crm.channel.models import AlertStatus, DiversionKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_token_revocation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Distributor',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=100)),
                ('rebate_rate', fields.DecimalField(default=Decimal('0.01'), max_digits=5, decimal_places=4)),
                ('phone', fields.CharField(null=True, unique=True, max_length=20)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'distributor', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DistributorStore',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('distributor', fields.ForeignKeyField('models.Distributor', source_field='distributor_id', db_constraint=True, to_field='id', related_name='territory', on_delete=OnDelete.CASCADE)),
                ('store', fields.ForeignKeyField('models.Store', source_field='store_id', db_constraint=True, to_field='id', related_name='distributors', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'distributor_store', 'app': 'models', 'unique_together': (('distributor', 'store'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DiversionAlert',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='DIVERTED: DIVERTED\nDUPLICATE_SCAN: DUPLICATE_SCAN\nUNKNOWN_SERIAL: UNKNOWN_SERIAL', enum_type=DiversionKind, max_length=16)),
                ('status', fields.CharEnumField(default=AlertStatus.OPEN, description='OPEN: OPEN\nCONFIRMED: CONFIRMED\nDISMISSED: DISMISSED', enum_type=AlertStatus, max_length=16)),
                ('serial', fields.CharField(db_index=True, max_length=40)),
                ('product_id', fields.BigIntField(null=True)),
                ('distributor', fields.ForeignKeyField('models.Distributor', source_field='distributor_id', null=True, db_constraint=True, to_field='id', related_name='alerts', on_delete=OnDelete.RESTRICT)),
                ('shipped_to_id', fields.BigIntField(null=True)),
                ('sold_at_id', fields.BigIntField()),
                ('purchase_id', fields.BigIntField()),
                ('detected_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('note', fields.CharField(null=True, max_length=500)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_by_id', fields.BigIntField(null=True)),
            ],
            options={'table': 'diversion_alert', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SerialScan',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('purchase', fields.ForeignKeyField('models.Purchase', source_field='purchase_id', db_constraint=True, to_field='id', related_name='scans', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=40)),
                ('store_id', fields.BigIntField()),
                ('kind', fields.CharEnumField(null=True, description='DIVERTED: DIVERTED\nDUPLICATE_SCAN: DUPLICATE_SCAN\nUNKNOWN_SERIAL: UNKNOWN_SERIAL', enum_type=DiversionKind, max_length=16)),
                ('alert_id', fields.BigIntField(null=True)),
                ('scanned_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'serial_scan', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Shipment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('distributor', fields.ForeignKeyField('models.Distributor', source_field='distributor_id', db_constraint=True, to_field='id', related_name='shipments', on_delete=OnDelete.RESTRICT)),
                ('store', fields.ForeignKeyField('models.Store', source_field='store_id', db_constraint=True, to_field='id', related_name='shipments', on_delete=OnDelete.RESTRICT)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='shipments', on_delete=OnDelete.RESTRICT)),
                ('units', fields.IntField()),
                ('unit_price', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('shipped_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('idempotency_key', fields.CharField(max_length=100)),
                ('fingerprint', fields.CharField(max_length=64)),
            ],
            options={'table': 'shipment', 'app': 'models', 'unique_together': (('distributor', 'idempotency_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShippedUnit',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=40)),
                ('shipment', fields.ForeignKeyField('models.Shipment', source_field='shipment_id', db_constraint=True, to_field='id', related_name='units_shipped', on_delete=OnDelete.CASCADE)),
                ('distributor_id', fields.BigIntField()),
                ('store_id', fields.BigIntField()),
                ('product_id', fields.BigIntField()),
                ('sold_purchase_id', fields.BigIntField(null=True)),
                ('sold_store_id', fields.BigIntField(null=True)),
                ('sold_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'shipped_unit', 'app': 'models', 'pk_attr': 'code'},
            bases=['Model'],
        ),
    ]
