package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.zmsnap.exec.ShellQuote;
import org.zmsnap.zfs.DatasetName;

class ServePolicyTest {
    final ServePolicy policy = new ServePolicy(DatasetName.of("backup/mbox1"));

    void allowed(String... argv) {
        String line = ShellQuote.join(List.of(argv));
        ServePolicy.Decision d = policy.check(line);
        assertTrue(d.argv().isPresent(), line + ": " + d.why());
        assertEquals(List.of(argv), d.argv().get(), "round trip through quoting");
    }

    void refused(String line, String why) {
        ServePolicy.Decision d = policy.check(line);
        assertTrue(d.argv().isEmpty(), line + " should be refused");
        assertTrue(d.why().contains(why), d.why());
    }

    @Test
    void replicationOperationsInsideTheRootAreAllowed() {
        allowed("zfs", "receive", "-u", "backup/mbox1/zimbra/db");
        allowed("zfs", "get", "-Hp", "-d", "1", "-o", "name,property,value", "guid,creation,createtxg,userrefs", "backup/mbox1/zimbra/db");
        allowed("zfs", "get", "-H", "-o", "name,value", "type", "backup/mbox1/zimbra/db", "backup/mbox1/zimbra/store");
        allowed("zfs", "list", "-H", "-o", "name", "-t", "filesystem,volume", "-r", "backup/mbox1");
        allowed("zfs", "destroy", "backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-22T14:00:00Z");
        allowed("zfs", "rollback", "-r", "backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-22T14:00:00Z");
        allowed("zfs", "create", "-p", "-o", "canmount=off", "backup/mbox1/zimbra");
        allowed("zfs", "set", "readonly=on", "backup/mbox1/zimbra/db");
        allowed("zfs", "version");
    }

    @Test
    void anythingElseIsRefused() {
        refused("zfs receive -u backup/mbox2/zimbra/db", "outside");
        refused("zfs receive -u backup/mbox10", "outside");
        refused("zfs receive -F -u backup/mbox1/zimbra/db", "-F");
        refused("zfs destroy -r backup/mbox1", "-r");
        refused("zfs destroy backup/mbox1/zimbra/db", "snapshot");
        refused("zfs get all backup", "outside");
        refused("zfs send backup/mbox1/zimbra/db@x", "not an operation");
        refused("rm -rf /", "only zfs");
        refused("zfs list; rm -rf /", "not allowed unquoted");
        refused("zfs list $(id)", "not allowed unquoted");
        refused("zfs list 'backup/mbox1", "unterminated");
        refused("", "interactive");
        refused("zfs set mountpoint=/opt/zimbra backup/mbox1/zimbra/db", "readonly=on");
        refused("zfs create backup/mbox1/x", "canmount=off");
    }

    @Test
    void theSshRunnersTimeoutPrefixIsAllowedOnlyInItsOneFormAndOnlyBeforeAnAllowedZfsCommand() {
        allowed("timeout", "-s", "KILL", "61s", "zfs", "list", "-H", "-o", "name", "-t", "filesystem,volume", "-r", "backup/mbox1");
        allowed("timeout", "-s", "KILL", "31s", "zfs", "version");
        refused("timeout -s KILL 61s zfs destroy -r backup/mbox1/zimbra/db@x", "option -r is not allowed");
        refused("timeout -s KILL 61s rm -rf /", "only zfs commands");
        refused("timeout -s TERM 61s zfs version", "only 'timeout -s KILL <seconds>s'");
        refused("timeout --foreground -s KILL 61s zfs version", "only 'timeout -s KILL <seconds>s'");
        refused("timeout -s KILL 0s zfs version", "only 'timeout -s KILL <seconds>s'");
        refused("timeout -s KILL 61s", "only 'timeout -s KILL <seconds>s'");
        refused("timeout -s KILL 61s timeout -s KILL 61s zfs version", "only zfs commands");
    }
}
