console.log("reliability suite: not written yet");
