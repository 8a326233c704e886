from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddConstraint(
            model_name='Member',
            constraint=CheckConstraint(check='points_balance >= 0', name='member_points_balance_nonneg'),
        ),
    ]
