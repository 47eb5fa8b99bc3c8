/**
 * Checks of the settings that need AWS knowledge (instance memory, the stack's region). A stack calls
 * `checkAwsSettings` before creating anything, so a bad value stops it with nothing registered.
 */
import { ConfigError, ConfigProblem, Settings } from "../../config/settings";
import { instanceMemoryMiB } from "./instance-types";

export function checkAwsSettings(settings: Settings, region: string): void {
    const problems: ConfigProblem[] = [];
    try {
        instanceMemoryMiB(settings);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(...e.problems);
    }
    if (settings.backupReplicaRegion && settings.backupReplicaRegion === region) {
        problems.push({
            key: "backupReplicaRegion",
            value: settings.backupReplicaRegion,
            problem: `must differ from the stack's region (aws:region = ${region}): a replica in the same region does not survive its loss`,
        });
    }
    if (problems.length > 0) throw new ConfigError(problems);
}
