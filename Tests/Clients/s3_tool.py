#!/usr/bin/env python3
"""What the S3 pyramid tests do to the object store, with ROK4's own Python library (PyPI rok4, in the venv of
scripts/rok4-venv.sh) and boto3 under it. Endpoint and credentials: ROK4_S3_URL, ROK4_S3_KEY, ROK4_S3_SECRETKEY
(the first cluster).

  s3_tool.py mkbucket BUCKET
  s3_tool.py link-pyramid BUCKET FROM TO [SKIP_OBJECT…]   # TO: every data slab of FROM as a SYMLINK# object
                                                          # (rok4.storage.link), but the SKIP ones; TO.json
  s3_tool.py put-descriptor BUCKET NAME FILE              # FILE as s3://BUCKET/NAME.json
  s3_tool.py get URL                                      # prints the object (descriptors)
  s3_tool.py public-read BUCKET                           # anyone may GET its objects (Benchmarks/s3.sh)
"""
import json
import os
import sys

# boto3 ≥ 1.36 sends CRC checksums in aws-chunked uploads, which radosgw 16 (Debian 12) refuses.
os.environ.setdefault("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
os.environ.setdefault("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required")

import boto3  # noqa: E402
from rok4 import storage  # noqa: E402


def client():
    return boto3.client("s3", endpoint_url=os.environ["ROK4_S3_URL"].split(",")[0],
                        aws_access_key_id=os.environ["ROK4_S3_KEY"].split(",")[0],
                        aws_secret_access_key=os.environ["ROK4_S3_SECRETKEY"].split(",")[0])


def main(argv):
    cmd = argv[1]
    if cmd == "mkbucket":
        client().create_bucket(Bucket=argv[2])
    elif cmd == "link-pyramid":
        bucket, src, dst, skip = argv[2], argv[3], argv[4], set(argv[5:])
        c = client()
        made = 0
        for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{src}/DATA_"):
            for o in page.get("Contents", []):
                name = o["Key"][len(src) + 1:]
                if name in skip:
                    continue
                storage.link(f"s3://{bucket}/{o['Key']}", f"s3://{bucket}/{dst}/{name}")
                made += 1
        desc = json.loads(storage.get_data_str(f"s3://{bucket}/{src}.json"))
        for lv in desc["levels"]:
            lv["storage"]["image_prefix"] = f"{dst}/DATA_{lv['id']}"
            lv["storage"].pop("mask_prefix", None)
        desc.pop("mask_format", None)
        storage.put_data_str(json.dumps(desc), f"s3://{bucket}/{dst}.json")
        print(made)
    elif cmd == "put-descriptor":
        with open(argv[4]) as f:
            storage.put_data_str(f.read(), f"s3://{argv[2]}/{argv[3]}.json")
    elif cmd == "public-read":
        client().put_bucket_policy(Bucket=argv[2], Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
                           "Resource": [f"arn:aws:s3:::{argv[2]}/*"]}]}))
    elif cmd == "get":
        sys.stdout.write(storage.get_data_str(argv[2]))
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
