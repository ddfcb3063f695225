#!/bin/sh
# Rebuilds every sample event in events/ from its Debezium source in events/changes/.
# One `npm run make-event` line per file; test/scripts/make-event.test.ts checks that the committed
# files equal what these lines produce, so keep each command on one line.
set -eu
cd "$(dirname "$0")/.."
P=dbserver1.public.products
O=dbserver1.public.order_items

# products: one partition, offsets continue across files (0-3, 4-5, 6-7, 8-9, 10-12, 13-15, 16-18)
npm run -s make-event -- --topic $P --file events/changes/products-snapshot.json --key-schema --offset 0 --out events/products-snapshot.json
npm run -s make-event -- --topic $P --file events/changes/products-create.json --key-schema --offset 4 --out events/products-create.json
npm run -s make-event -- --topic $P --file events/changes/products-update.json --key-schema --offset 6 --out events/products-update.json
npm run -s make-event -- --topic $P --file events/changes/products-delete.json --offset 8 --out events/products-delete.json
npm run -s make-event -- --topic $P --file events/changes/products-schemaless.json --offset 10 --out events/products-schemaless.json
npm run -s make-event -- --topic $P --file events/changes/products-unwrapped.json --offset 13 --out events/products-unwrapped.json
npm run -s make-event -- --topic $P --file events/changes/poison.json --offset 16 --out events/poison.json

# order_items: two partitions, keyed like the connector's producer (murmur2 of the key bytes)
npm run -s make-event -- --topic $O --file events/changes/order-items-snapshot.json --key-schema --partitions 2 --out events/order-items-snapshot.json
npm run -s make-event -- --topic $O --file events/changes/order-items-create.json --key-schema --partitions 2 --offset 0:1 --offset 1:3 --out events/order-items-create.json
npm run -s make-event -- --topic $O --file events/changes/order-items-unknown-product.json --key-schema --partitions 2 --offset 0:4 --offset 1:6 --out events/order-items-unknown-product.json
