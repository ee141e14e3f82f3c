package org.zmsnap.exec;

import java.util.List;

/** Starts commands whose input or output is a stream. Local processes or SSH exec channels. */
public interface StreamingRunner {
    RunningCommand start(List<String> argv);
}
