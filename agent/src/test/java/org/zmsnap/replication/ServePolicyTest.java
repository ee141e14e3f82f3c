package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.zmsnap.exec.ShellQuote;
import org.zmsnap.zfs.DatasetName;

class ServePolicyTest {
    static final DatasetName ROOT = DatasetName.of("backup/mbox1");
    final ServePolicy policy = new ServePolicy(ROOT, false, false);
    final ServePolicy allowDestroy = new ServePolicy(ROOT, true, false);
    final ServePolicy openZfs = new ServePolicy(ROOT, false, true);

    static void allowed(ServePolicy p, String... argv) {
        String line = ShellQuote.join(List.of(argv));
        ServeDecision d = p.check(line);
        assertInstanceOf(ServeDecision.Run.class, d, line + ": " + d.why());
        assertEquals(List.of(argv), d.command().orElseThrow(), "round trip through quoting");
    }

    void allowed(String... argv) {
        allowed(policy, argv);
    }

    static void refused(ServePolicy p, String line, String why) {
        ServeDecision d = p.check(line);
        ServeDecision.Refused r = assertInstanceOf(ServeDecision.Refused.class, d, line + " should be refused");
        assertTrue(r.why().contains(why), r.why());
    }

    void refused(String line, String why) {
        refused(policy, line, why);
    }

    static List<String> receiveArgv(ServePolicy p, String line) {
        ServeDecision d = p.check(line);
        return assertInstanceOf(ServeDecision.Receive.class, d, line + ": " + d.why()).argv();
    }

    @Test
    void replicationOperationsInsideTheRootAreAllowed() {
        allowed("zfs", "get", "-Hp", "-d", "1", "-o", "name,property,value", "guid,creation,createtxg,userrefs", "backup/mbox1/zimbra/db");
        allowed("zfs", "get", "-H", "-o", "name,value", "type", "backup/mbox1/zimbra/db", "backup/mbox1/zimbra/store");
        allowed("zfs", "list", "-H", "-o", "name", "-t", "filesystem,volume", "-r", "backup/mbox1");
        allowed("zfs", "create", "-p", "-o", "canmount=off", "backup/mbox1/zimbra");
        allowed("zfs", "set", "readonly=on", "backup/mbox1/zimbra/db");
        allowed("zfs", "receive", "-A", "backup/mbox1/zimbra/db");
        allowed("zfs", "version");
    }

    @Test
    void everyReceiveIsUnmountedWhateverTheClientAsked() {
        assertEquals(List.of("zfs", "receive", "-u", "backup/mbox1/zimbra/db"), receiveArgv(policy, "zfs receive -u backup/mbox1/zimbra/db"));
        assertEquals(List.of("zfs", "receive", "-u", "backup/mbox1/evil"), receiveArgv(policy, "zfs receive backup/mbox1/evil"));
        assertEquals(List.of("zfs", "receive", "-u", "backup/mbox1/evil"), receiveArgv(policy, "zfs recv backup/mbox1/evil"));
        assertEquals(List.of("zfs", "receive", "-u", "-s", "backup/mbox1/zimbra/db"),
                receiveArgv(policy, "zfs receive -s -u backup/mbox1/zimbra/db"));
        assertEquals(List.of("timeout", "-s", "KILL", "61s", "zfs", "receive", "-u", "backup/mbox1/x"),
                receiveArgv(policy, "timeout -s KILL 61s zfs receive backup/mbox1/x"));
    }

    @Test
    void onOpenZfsTheMountRelatedPropertiesArePinnedAtReceive() {
        List<String> expected = new ArrayList<>(List.of("zfs", "receive", "-u", "-s"));
        expected.addAll(List.of("-x", "mountpoint", "-x", "sharenfs", "-x", "sharesmb", "-o", "canmount=noauto",
                "-o", "readonly=on", "-o", "setuid=off", "-o", "exec=off", "-o", "devices=off"));
        expected.add("backup/mbox1/zimbra/db");
        assertEquals(expected, receiveArgv(openZfs, "zfs receive -s -u backup/mbox1/zimbra/db"));
        // Aborting a partial receive takes no stream and no properties.
        allowed(openZfs, "zfs", "receive", "-A", "backup/mbox1/zimbra/db");
        // The client cannot bring its own: -o, -x, -F, -d, -e are all refused.
        refused(openZfs, "zfs receive -u -o mountpoint=/root/.ssh backup/mbox1/evil", "option -o");
        refused(openZfs, "zfs receive -u -x readonly backup/mbox1/evil", "option -x");
        refused(openZfs, "zfs receive -d backup/mbox1", "option -d");
        refused(openZfs, "zfs receive -e backup/mbox1", "option -e");
    }

    @Test
    void destroyAndRollbackAreRefusedUnlessTheDrAdminAllowsThem() {
        refused("zfs destroy backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-22T14:00:00Z", "--allow-destroy");
        refused("zfs rollback -r backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-22T14:00:00Z", "--allow-destroy");
        refused("timeout -s KILL 61s zfs destroy backup/mbox1/zimbra/db@x", "append-only");
        allowed(allowDestroy, "zfs", "destroy", "backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-22T14:00:00Z");
        allowed(allowDestroy, "zfs", "rollback", "-r", "backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-22T14:00:00Z");
        allowed(allowDestroy, "timeout", "-s", "KILL", "61s", "zfs", "destroy", "backup/mbox1/zimbra/db@x");
        // Even then: snapshots only, inside the root only, never recursive.
        refused(allowDestroy, "zfs destroy -r backup/mbox1", "-r");
        refused(allowDestroy, "zfs destroy backup/mbox1/zimbra/db", "snapshot");
        refused(allowDestroy, "zfs destroy backup/mbox2/zimbra/db@x", "outside");
        refused(allowDestroy, "zfs rollback -rf backup/mbox1/zimbra/db@x", "-rf");
        refused(allowDestroy, "timeout -s KILL 61s zfs destroy -r backup/mbox1/zimbra/db@x", "option -r is not allowed");
    }

    @Test
    void anythingElseIsRefused() {
        refused("zfs receive -u backup/mbox2/zimbra/db", "outside");
        refused("zfs receive -u backup/mbox10", "outside");
        refused("zfs receive -F -u backup/mbox1/zimbra/db", "-F");
        refused("zfs receive -u backup/mbox1/a backup/mbox1/b", "exactly one");
        refused("zfs receive -u", "exactly one");
        refused("zfs receive backup/mbox1/a@s", "not a snapshot");
        refused("zfs get all backup", "outside");
        refused("zfs send backup/mbox1/zimbra/db@x", "only appends to its copies");
        refused("zfs inherit mountpoint backup/mbox1/zimbra/db", "not an operation");
        refused("zfs mount backup/mbox1/zimbra/db", "not an operation");
        refused("rm -rf /", "only zfs");
        refused("zfs list; rm -rf /", "not allowed unquoted");
        refused("zfs list $(id)", "not allowed unquoted");
        refused("zfs list 'backup/mbox1", "unterminated");
        refused("", "interactive");
        refused("zfs set mountpoint=/opt/zimbra backup/mbox1/zimbra/db", "readonly=on");
        refused("zfs set canmount=on backup/mbox1/zimbra/db", "readonly=on");
        // zmsnap's own marks are the DR host's: a mailbox host must not forge a promotion, a drill or consistency.
        refused("zfs set org.zmsnap:promoted=2026-11-30T00:00:00Z backup/mbox1/zimbra/db", "readonly=on");
        refused("zfs set org.zmsnap:verified=ok backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-30T00:00:00Z", "readonly=on");
        refused("zfs create backup/mbox1/x", "canmount=off");
    }

    @Test
    void theSshRunnersTimeoutPrefixIsAllowedOnlyInItsOneFormAndOnlyBeforeAnAllowedZfsCommand() {
        allowed("timeout", "-s", "KILL", "61s", "zfs", "list", "-H", "-o", "name", "-t", "filesystem,volume", "-r", "backup/mbox1");
        allowed("timeout", "-s", "KILL", "31s", "zfs", "version");
        refused("timeout -s KILL 61s rm -rf /", "only zfs commands");
        refused("timeout -s TERM 61s zfs version", "only 'timeout -s KILL <seconds>s'");
        refused("timeout --foreground -s KILL 61s zfs version", "only 'timeout -s KILL <seconds>s'");
        refused("timeout -s KILL 0s zfs version", "only 'timeout -s KILL <seconds>s'");
        refused("timeout -s KILL 61s", "only 'timeout -s KILL <seconds>s'");
        refused("timeout -s KILL 61s timeout -s KILL 61s zfs version", "only zfs commands");
    }

    @Test
    void aFailbackGrantOpensReadingBackAndNothingElse() {
        String send = "zfs send -i @zmsnap_hourly_2026-11-30T10:00:00Z backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-30T11:00:00Z";
        refused(send, "zmsnap failback grant");
        refused("zfs hold zmsnap:failback backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-30T11:00:00Z", "only appends");
        // what failback reads without a grant: the marks of every copy in one listing
        allowed(policy, "zfs", "get", "-Hp", "-r", "-o", "name,property,value",
                "org.zmsnap:promoted,org.zmsnap:handback", "backup/mbox1");
        ServePolicy granted = new ServePolicy(ROOT, false, false, true);
        assertTrue(ServePolicy.readsBack(send));
        assertTrue(!ServePolicy.readsBack("zfs list -H backup/mbox1"), "a listing never needs the grant");
        allowed(granted, "zfs", "send", "-i", "@zmsnap_hourly_2026-11-30T10:00:00Z", "backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-30T11:00:00Z");
        allowed(granted, "zfs", "hold", "zmsnap:failback", "backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-30T11:00:00Z");
        // the grant is the send-only rule: inside the root, no properties, no replication streams
        refused(granted, "zfs send tank/zimbra/db@zmsnap_hourly_2026-11-30T11:00:00Z", "outside");
        refused(granted, "zfs send -p backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-30T11:00:00Z", "not allowed");
        refused(granted, "zfs send -R backup/mbox1@zmsnap_hourly_2026-11-30T11:00:00Z", "not allowed");
        // and it adds no write: still append-only
        refused(granted, "zfs destroy backup/mbox1/zimbra/db@zmsnap_hourly_2026-11-30T11:00:00Z", "append-only");
        refused(granted, "zfs set org.zmsnap:failback-grant=2099-01-01T00:00:00Z backup/mbox1", "only 'zfs set readonly=on");
    }
}
