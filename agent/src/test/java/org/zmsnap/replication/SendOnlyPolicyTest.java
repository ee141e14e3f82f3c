package org.zmsnap.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.zmsnap.exec.ShellQuote;
import org.zmsnap.zfs.DatasetName;

class SendOnlyPolicyTest {
    final SendOnlyPolicy policy = new SendOnlyPolicy(DatasetName.of("tank/zimbra"));
    static final String SNAP = "tank/zimbra/db@zmsnap_hourly_2026-11-22T14:00:00Z";
    static final String OLDER = "tank/zimbra/db@zmsnap_hourly_2026-11-22T13:00:00Z";
    static final String TOKEN = "1-e604ea4bf-e0-789c63a2c0ddcd2f85c73fa";

    void allowed(String... argv) {
        String line = ShellQuote.join(List.of(argv));
        ServeDecision d = policy.check(line);
        assertInstanceOf(ServeDecision.Run.class, d, line + ": " + d.why());
        assertEquals(List.of(argv), d.command().orElseThrow(), "round trip through quoting");
    }

    void refused(String line, String why) {
        ServeDecision d = policy.check(line);
        ServeDecision.Refused r = assertInstanceOf(ServeDecision.Refused.class, d, line + " should be refused");
        assertTrue(r.why().contains(why), r.why());
    }

    @Test
    void whatAPullNeedsInsideTheRootIsAllowed() {
        allowed("zfs", "send", SNAP);
        allowed("zfs", "send", "-c", "-i", OLDER, SNAP);
        allowed("zfs", "send", "-I", OLDER, SNAP);
        allowed("zfs", "send", "-i", "@zmsnap_hourly_2026-11-22T13:00:00Z", SNAP);
        allowed("zfs", "send", "-i", "tank/zimbra/db#zmsnap_hourly_2026-11-22T13:00:00Z", SNAP);
        allowed("zfs", "send", "-L", "-e", "-c", SNAP);
        allowed("zfs", "send", "-n", "-v", "-P", "-I", OLDER, SNAP);
        allowed("zfs", "get", "-Hp", "-d", "1", "-o", "name,property,value", "guid,creation,createtxg,userrefs", "tank/zimbra/db");
        allowed("zfs", "list", "-H", "-o", "name", "-t", "filesystem,volume", "-r", "tank/zimbra");
        allowed("zfs", "hold", "zmsnap:dr1", SNAP);
        allowed("zfs", "release", "zmsnap:dr1", SNAP);
        allowed("zfs", "holds", "-H", SNAP);
        allowed("zfs", "version");
        allowed("timeout", "-s", "KILL", "61s", "zfs", "hold", "zmsnap:dr1", SNAP);
        allowed("timeout", "-s", "KILL", "61s", "zfs", "get", "-H", "-o", "value", "receive_resume_token", "tank/zimbra/db");
    }

    @Test
    void aResumedSendIsAllowedOnlyOnceTheTokensSnapshotIsKnownToBeInsideTheRoot() {
        ServeDecision d = policy.check("zfs send -t " + TOKEN);
        ServeDecision.SendResume s = assertInstanceOf(ServeDecision.SendResume.class, d, d.why());
        assertEquals(TOKEN, s.token());
        assertEquals(List.of("zfs", "send", "-t", TOKEN), s.argv());
        String inside = "resume token contents:\nnvlist version: 0\n\tobject = 0x6\n\toffset = 0xa0000\n\tbytes = 0xa1e58\n"
                + "\ttoguid = 0x6c1f16dd83b4f2d9\n\ttoname = tank/zimbra/store@zmsnap_hourly_2026-11-22T14:00:00Z\n"
                + "send from tank/zimbra/store@zmsnap_hourly_2026-11-22T14:00:00Z estimated size is 1.21M\n";
        assertEquals(Optional.empty(), policy.resumeAllowed(inside));
        assertTrue(policy.resumeAllowed(inside.replace("tank/zimbra/store@", "tank/secrets@")).orElseThrow().contains("outside"));
        assertTrue(policy.resumeAllowed("resume token contents:\nnvlist version: 0\n").orElseThrow().contains("0 toname"));
        // A crafted token that hides a decoy toname in another value: two lines, refused.
        String decoy = inside.replace("\tobject = 0x6\n", "\tcomment = x\n\ttoname = tank/zimbra/db@a\n");
        assertTrue(policy.resumeAllowed(decoy.replace("tank/zimbra/store@", "tank/secrets@")).orElseThrow().contains("2 toname"));
        assertTrue(policy.resumeAllowed("\ttoname = tank/zimbra/db\n").orElseThrow().contains("not a snapshot"));

        refused("zfs send -t " + TOKEN + " " + SNAP, "the token names them");
        refused("zfs send -t 'not a token'", "resume token");
        refused("zfs send -t", "resume token");
    }

    @Test
    void everyOperationThatWritesDestroysMountsOrReceivesIsRefused() {
        refused("zfs receive -u tank/zimbra/db", "send-only");
        refused("zfs recv tank/zimbra/db", "send-only");
        refused("zfs destroy " + SNAP, "send-only");
        refused("zfs rollback -r " + SNAP, "send-only");
        refused("zfs set readonly=off tank/zimbra/db", "send-only");
        refused("zfs create -p -o canmount=off tank/zimbra/x", "send-only");
        refused("zfs inherit mountpoint tank/zimbra/db", "send-only");
        refused("zfs mount tank/zimbra/db", "send-only");
        refused("zfs snapshot " + SNAP, "send-only");
        refused("zfs clone " + SNAP + " tank/zimbra/c", "send-only");
        refused("zfs rename " + SNAP + " tank/zimbra/db@x", "send-only");
        refused("zfs promote tank/zimbra/db", "send-only");
        refused("zfs allow -u evil send tank", "send-only");
        refused("zfs upgrade -a", "send-only");
    }

    @Test
    void sendsOutsideTheRootOrOfWholeTreesOrPropertiesAreRefused() {
        refused("zfs send tank/other@x", "outside");
        refused("zfs send tank@x", "outside");
        refused("zfs send tank/zimbra2/db@x", "outside");
        refused("zfs send -i tank/other@a " + SNAP, "outside");
        refused("zfs send -i 'tank/other#a' " + SNAP, "outside");
        refused("zfs send -R " + SNAP, "option -R");
        refused("zfs send -p " + SNAP, "option -p");
        refused("zfs send -w " + SNAP, "option -w");
        refused("zfs send -D " + SNAP, "option -D");
        refused("zfs send -h " + SNAP, "option -h");
        refused("zfs send tank/zimbra/db", "snapshot");
        refused("zfs send " + SNAP + " " + OLDER, "exactly one");
        refused("zfs send -i " + OLDER + " -I " + OLDER + " " + SNAP, "one -i/-I");
        refused("zfs send -i", "one -i/-I");
        refused("zfs send", "exactly one snapshot");
    }

    @Test
    void holdsAreZmsnapsOwnTagsOnSnapshotsInsideTheRoot() {
        refused("zfs hold evil " + SNAP, "zmsnap:<name>");
        refused("zfs hold zmsnap:dr1 tank/other@x", "outside");
        refused("zfs hold -r zmsnap:dr1 " + SNAP, "zmsnap:<name>");
        refused("zfs hold zmsnap:dr1 -r " + SNAP, "option -r");
        refused("zfs release zmsnap:dr1 tank/zimbra/db", "snapshot");
        refused("zfs release zmsnap:dr1", "zmsnap:<name>");
        refused("zfs holds tank/other@x", "outside");
    }

    @Test
    void listingsStayInsideTheRootAndTheTimeoutPrefixIsTheOneAllowed() {
        refused("zfs list -r tank", "outside");
        refused("zfs get all tank/other", "outside");
        refused("zfs list", "must name a dataset");
        refused("cat /etc/shadow", "only zfs");
        refused("zfs list; rm -rf /", "not allowed unquoted");
        refused("timeout -s TERM 61s zfs version", "only 'timeout -s KILL <seconds>s'");
        refused("", "interactive");
    }
}
