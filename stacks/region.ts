import * as pulumi from "@pulumi/pulumi";

/** The stack's region: the `aws:region` configuration its default provider uses. */
export function stackRegion(): string {
    return new pulumi.Config("aws").require("region");
}
