"""Registers a WorkSpaces directory in a running moto_server and prints its ids as JSON.

moto needs the whole chain: an EC2 VPC with two subnets in different Availability Zones,
a Directory Service SimpleAD directory in them, then WorkSpaces RegisterWorkspaceDirectory.
The npm packages @aws-sdk/client-ec2 and @aws-sdk/client-directory-service are not
dependencies of this project, so this part runs with boto3 (installed with moto).

Usage: python setup_moto.py http://127.0.0.1:PORT
"""

import json
import sys

import boto3


def main(endpoint: str) -> None:
    kw = dict(
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    ec2 = boto3.client("ec2", **kw)
    ds = boto3.client("ds", **kw)
    workspaces = boto3.client("workspaces", **kw)

    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        for cidr, az in (("10.20.0.0/24", "us-east-1a"), ("10.20.1.0/24", "us-east-1b"))
    ]
    directory_id = ds.create_directory(
        Name="corp.example.com",
        Password="Crosscheck-Passw0rd",
        Size="Small",
        VpcSettings={"VpcId": vpc_id, "SubnetIds": subnet_ids},
    )["DirectoryId"]
    workspaces.register_workspace_directory(DirectoryId=directory_id, SubnetIds=subnet_ids)

    registered = workspaces.describe_workspace_directories(DirectoryIds=[directory_id])["Directories"]
    if len(registered) != 1 or registered[0].get("State") != "REGISTERED":
        raise SystemExit(f"moto did not register directory {directory_id}: {registered}")
    print(json.dumps({"directoryId": directory_id, "subnetIds": subnet_ids}))


if __name__ == "__main__":
    main(sys.argv[1])
