using './main.bicep'

param namePrefix = 'padellm'
param functionPlanSku = 'FC1'
param gpuWorkloadProfileType = 'Consumption-GPU-NC8as-T4'
param gpuHostImage = '<registry>.azurecr.io/padellm-gpuhost:cuda'
