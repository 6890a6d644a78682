"""Registers two WorkSpaces directories in a running moto_server and prints their ids as JSON.

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

    directory_id, subnet_ids = register(ec2, ds, workspaces, "corp.example.com", "10.20")
    # The brownfield suite lists a whole directory: its own, so that the other suite's
    # WorkSpaces (made and terminated while it runs) are not in it.
    brownfield_directory_id, _ = register(ec2, ds, workspaces, "brownfield.example.com", "10.30")
    print(json.dumps({"directoryId": directory_id, "subnetIds": subnet_ids, "brownfieldDirectoryId": brownfield_directory_id}))


def register(ec2, ds, workspaces, name: str, cidr_prefix: str) -> tuple:
    """A VPC with two subnets, a SimpleAD directory in them, registered with WorkSpaces."""
    vpc_id = ec2.create_vpc(CidrBlock=f"{cidr_prefix}.0.0/16")["Vpc"]["VpcId"]
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        for cidr, az in ((f"{cidr_prefix}.0.0/24", "us-east-1a"), (f"{cidr_prefix}.1.0/24", "us-east-1b"))
    ]
    directory_id = ds.create_directory(
        Name=name,
        Password="Crosscheck-Passw0rd",
        Size="Small",
        VpcSettings={"VpcId": vpc_id, "SubnetIds": subnet_ids},
    )["DirectoryId"]
    workspaces.register_workspace_directory(DirectoryId=directory_id, SubnetIds=subnet_ids)

    registered = workspaces.describe_workspace_directories(DirectoryIds=[directory_id])["Directories"]
    if len(registered) != 1 or registered[0].get("State") != "REGISTERED":
        raise SystemExit(f"moto did not register directory {directory_id}: {registered}")
    return directory_id, subnet_ids


if __name__ == "__main__":
    main(sys.argv[1])
