from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.enums import MemberTier, VoucherStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_order_offer_order_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Activity',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('points', fields.IntField()),
                ('cost', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'activity', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An event or contest: checking in grants its points once per member.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ActivityCheckIn',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('activity', fields.ForeignKeyField('models.Activity', source_field='activity_id', db_constraint=True, to_field='id', related_name='check_ins', on_delete=OnDelete.RESTRICT)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='check_ins', on_delete=OnDelete.RESTRICT)),
                ('entry', fields.ForeignKeyField('models.PointsEntry', source_field='entry_id', db_constraint=True, to_field='id', related_name='check_ins', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'activity_check_in', 'app': 'models', 'unique_together': (('activity', 'member'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('multiplier', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('store_ids', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('product_ids', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'campaign', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A temporary points multiplier, optionally limited to stores or products.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Purchase',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='purchases', on_delete=OnDelete.RESTRICT)),
                ('store', fields.ForeignKeyField('models.Store', source_field='store_id', db_constraint=True, to_field='id', related_name='purchases', on_delete=OnDelete.RESTRICT)),
                ('staff', fields.ForeignKeyField('models.Staff', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='purchases', on_delete=OnDelete.RESTRICT)),
                ('order', fields.ForeignKeyField('models.Order', source_field='order_id', null=True, db_constraint=True, to_field='id', related_name='purchases', on_delete=OnDelete.RESTRICT)),
                ('total', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('member_pack_units', fields.IntField()),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'purchase', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One sale that earned: at a counter (with its clerk) or a delivered online order.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PurchaseLine',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('purchase', fields.ForeignKeyField('models.Purchase', source_field='purchase_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='purchase_lines', on_delete=OnDelete.RESTRICT)),
                ('quantity', fields.IntField()),
                ('unit_price', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('points', fields.IntField()),
            ],
            options={'table': 'purchase_line', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TierChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='tier_changes', on_delete=OnDelete.RESTRICT)),
                ('previous', fields.CharEnumField(description='POTENTIAL: POTENTIAL\nREGULAR: REGULAR\nLOYAL: LOYAL\nADVOCATE: ADVOCATE', enum_type=MemberTier, max_length=16)),
                ('tier', fields.CharEnumField(description='POTENTIAL: POTENTIAL\nREGULAR: REGULAR\nLOYAL: LOYAL\nADVOCATE: ADVOCATE', enum_type=MemberTier, max_length=16)),
                ('reason', fields.CharField(max_length=255)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tier_change', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Voucher',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='vouchers', on_delete=OnDelete.RESTRICT)),
                ('ordinal', fields.IntField()),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', null=True, db_constraint=True, to_field='id', related_name='vouchers', on_delete=OnDelete.RESTRICT)),
                ('entry', fields.ForeignKeyField('models.PointsEntry', source_field='entry_id', null=True, db_constraint=True, to_field='id', related_name='vouchers', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=VoucherStatus.ISSUED, description='ISSUED: ISSUED\nREDEEMED: REDEEMED', enum_type=VoucherStatus, max_length=16)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('redeemed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('redeemed_store', fields.ForeignKeyField('models.Store', source_field='redeemed_store_id', null=True, db_constraint=True, to_field='id', related_name='redeemed_vouchers', on_delete=OnDelete.RESTRICT)),
                ('redeemed_by', fields.ForeignKeyField('models.Staff', source_field='redeemed_by_id', null=True, db_constraint=True, to_field='id', related_name='redeemed_vouchers', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'voucher', 'app': 'models', 'unique_together': (('member', 'ordinal'),), 'pk_attr': 'id', 'table_description': 'A free member pack ("buy six, get one").'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Member',
            name='activity',
            field=fields.ForeignKeyField('models.Activity', source_field='activity_id', null=True, db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='PointsEntry',
            name='activity',
            field=fields.ForeignKeyField('models.Activity', source_field='activity_id', null=True, db_constraint=True, to_field='id', related_name='points_entries', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='PointsEntry',
            name='purchase',
            field=fields.ForeignKeyField('models.Purchase', source_field='purchase_id', null=True, db_constraint=True, to_field='id', related_name='points_entries', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='PointsEntry',
            name='reverses',
            field=fields.ForeignKeyField('models.PointsEntry', source_field='reverses_id', null=True, db_constraint=True, to_field='id', related_name='reversals', on_delete=OnDelete.NO_ACTION),
        ),
    ]
