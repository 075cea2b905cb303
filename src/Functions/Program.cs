using PaDeLLM.Functions;

// The Azure Functions custom handler. The host starts it with FUNCTIONS_CUSTOMHANDLER_PORT set;
// `PaDeLLM.Functions --write-function-json DIR` writes the function folders of the app.
return await FunctionsProgram.MainAsync(args);
